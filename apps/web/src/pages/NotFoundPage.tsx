import { Link } from 'react-router';

export function NotFoundPage() {
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
