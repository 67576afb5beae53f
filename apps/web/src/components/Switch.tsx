/**
 * An on/off switch: a button with role="switch", its word (On / Off) next to the track so colour is
 * not the only cue. Styles: .switch in styles.css.
 */
export function Switch({
  on,
  onChange,
  label,
  disabled = false,
  title,
  describedBy,
}: {
  on: boolean;
  onChange: (on: boolean) => void;
  /** The accessible name: what is switched. */
  label: string;
  disabled?: boolean;
  title?: string | undefined;
  describedBy?: string | undefined;
}) {
  return (
    <span className="switch-wrap" title={title}>
      <button
        type="button"
        role="switch"
        aria-checked={on}
        aria-label={label}
        aria-describedby={describedBy}
        className={`switch${on ? ' switch-on' : ''}`}
        disabled={disabled}
        title={title}
        onClick={() => onChange(!on)}
      >
        <span className="switch-track" aria-hidden="true">
          <span className="switch-thumb" />
        </span>
        <span className="switch-text" aria-hidden="true">
          {on ? 'On' : 'Off'}
        </span>
      </button>
    </span>
  );
}
