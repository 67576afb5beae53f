import { Link } from 'react-router';
import { useDocumentTitle } from '../lib/useDocumentTitle.ts';

export function NotFoundPage() {
  useDocumentTitle('Page not found');
  return (
    <div className="page">
      <div className="state-block state-empty not-found">
        <div className="not-found-code">404</div>
        <h1>Page not found</h1>
        <p>There is nothing at this address. It may have been moved or deleted.</p>
        <Link to="/workflows" className="btn btn-primary">
          Go to workflows
        </Link>
      </div>
    </div>
  );
}
