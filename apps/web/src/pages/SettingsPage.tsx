import { NavLink, Outlet } from 'react-router';
import { useCurrentUser } from '../auth.tsx';
import './settings/settings.css';

/**
 * Settings: the instance's Workflow API (switch, limits, browser origins), API tokens and the other
 * admin pages, each a sub-page with its own address. Admins change things; others read.
 */
export function SettingsPage() {
  const user = useCurrentUser();
  const links = [
    { to: '/settings', label: 'Workflow API', end: true },
    { to: '/settings/tokens', label: 'API tokens', end: false },
    { to: '/settings/secrets', label: 'Signing secrets', end: false },
  ];
  return (
    <div className="page page-wide settings-page">
      <div className="page-header">
        <div>
          <h1>Settings</h1>
          <p className="page-subtitle">
            {user.role === 'admin' ? 'How webhook callers reach this instance, and who may call.' : 'How webhook callers reach this instance. Only admins change these settings.'}
          </p>
        </div>
      </div>
      <div className="settings-layout">
        <nav className="settings-nav" aria-label="Settings">
          {links.map((link) => (
            <NavLink key={link.to} to={link.to} end={link.end} className="settings-nav-link">
              {link.label}
            </NavLink>
          ))}
        </nav>
        <div className="settings-content">
          <Outlet />
        </div>
      </div>
    </div>
  );
}
