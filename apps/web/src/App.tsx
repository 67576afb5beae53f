import { Navigate, Route, Routes } from 'react-router';
import { RequireAuth } from './auth.tsx';
import { Toaster } from './components/toast.tsx';
import { EditorPage } from './editor/EditorPage.tsx';
import { LoginPage, SetupPage } from './pages/AuthPages.tsx';
import { NotFoundPage } from './pages/NotFoundPage.tsx';
import { RunDetailPage } from './pages/RunDetailPage.tsx';
import { RunsPage } from './pages/RunsPage.tsx';
import { WorkflowsPage } from './pages/WorkflowsPage.tsx';

export function App() {
  return (
    <>
      <Routes>
        <Route path="/setup" element={<SetupPage />} />
        <Route path="/login" element={<LoginPage />} />
        <Route element={<RequireAuth />}>
          <Route index element={<Navigate to="/workflows" replace />} />
          <Route path="workflows" element={<WorkflowsPage />} />
          <Route path="workflows/:id" element={<EditorPage />} />
          <Route path="runs" element={<RunsPage />} />
          <Route path="runs/:id" element={<RunDetailPage />} />
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Routes>
      <Toaster />
    </>
  );
}
