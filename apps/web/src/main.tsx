// First: settings zod reads when it loads (see the file).
import './zodJitless.ts';
import { QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { TRPCProvider, createApiClient, createQueryClient } from './api/trpc.ts';
import { App } from './App.tsx';
import './styles.css';

const trpcClient = createApiClient();
// A call refused for lack of a session re-reads auth.status, which sends the person to sign in.
const queryClient = createQueryClient(() => {
  void queryClient.invalidateQueries({ queryKey: [['auth', 'status']] });
});

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        <BrowserRouter>
          <App />
        </BrowserRouter>
      </TRPCProvider>
    </QueryClientProvider>
  </StrictMode>,
);
