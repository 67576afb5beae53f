export * from './names.ts';
export * from './graph.ts';
export * from './expression.ts';
export * from './definition.ts';
export * from './catalog.ts';
export * from './parameters.ts';
export * from './compile.ts';
export * from './file.ts';
