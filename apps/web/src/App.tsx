import { Suspense, lazy } from 'react';
import { Navigate, Route, Routes } from 'react-router';
import { RequireAuth } from './auth.tsx';
import { Toaster } from './components/toast.tsx';
import { LoadingBlock } from './components/ui.tsx';
import { AccountLinkPage } from './pages/AccountLinkPage.tsx';
import { AuditPage } from './pages/AuditPage.tsx';
import { LoginPage, SetupPage } from './pages/AuthPages.tsx';
import { NotFoundPage } from './pages/NotFoundPage.tsx';
import { RecurringPage } from './pages/RecurringPage.tsx';
import { ReleasesPage } from './pages/ReleasesPage.tsx';
import { RunDetailPage } from './pages/RunDetailPage.tsx';
import { RunsPage } from './pages/RunsPage.tsx';
import { SchedulerPage } from './pages/SchedulerPage.tsx';
import { SettingsPage } from './pages/SettingsPage.tsx';
import { ApiSettingsSection } from './pages/settings/ApiSettingsSection.tsx';
import { TokensSection } from './pages/settings/TokensSection.tsx';
import { SecretsSection } from './pages/settings/SecretsSection.tsx';
import { UsersPage } from './pages/UsersPage.tsx';
import { WorkflowsPage } from './pages/WorkflowsPage.tsx';

// The editor brings React Flow and the compiler: load it only when a workflow is opened.
const EditorPage = lazy(() => import('./editor/EditorPage.tsx').then((m) => ({ default: m.EditorPage })));

const editorFallback = (
  <div className="page">
    <LoadingBlock label="Loading editor…" />
  </div>
);

export function App() {
  return (
    <>
      <Routes>
        <Route path="/setup" element={<SetupPage />} />
        <Route path="/login" element={<LoginPage />} />
        <Route path="/invite/:token" element={<AccountLinkPage />} />
        <Route path="/reset-password/:token" element={<AccountLinkPage />} />
        <Route element={<RequireAuth />}>
          <Route index element={<Navigate to="/workflows" replace />} />
          <Route path="workflows" element={<WorkflowsPage />} />
          <Route
            path="workflows/:id"
            element={
              <Suspense fallback={editorFallback}>
                <EditorPage />
              </Suspense>
            }
          />
          <Route path="runs" element={<RunsPage />} />
          <Route path="runs/:id" element={<RunDetailPage />} />
          <Route path="scheduler" element={<SchedulerPage />} />
          <Route path="recurring" element={<RecurringPage />} />
          <Route path="releases" element={<ReleasesPage />} />
          <Route path="settings" element={<SettingsPage />}>
            <Route index element={<ApiSettingsSection />} />
            <Route path="tokens" element={<TokensSection />} />
            <Route path="secrets" element={<SecretsSection />} />
          </Route>
          <Route path="users" element={<UsersPage />} />
          <Route path="audit" element={<AuditPage />} />
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Routes>
      <Toaster />
    </>
  );
}
