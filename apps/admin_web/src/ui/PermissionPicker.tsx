import { PERMISSIONS } from "../app/permissions";

/** Checkboxes for a set of permission names, grouped, each with what it allows. */
export function PermissionPicker({ value, onChange, legend, disabled }: { value: string[]; onChange: (v: string[]) => void; legend: string; disabled?: boolean }) {
  const groups = [...new Set(PERMISSIONS.map((p) => p.group))];
  const toggle = (name: string, on: boolean) => onChange(on ? [...value, name] : value.filter((v) => v !== name));
  return (
    <fieldset className="permission-picker" disabled={disabled}>
      <legend>{legend}</legend>
      {groups.map((group) => (
        <div key={group} className="permission-group">
          <h3>{group}</h3>
          {PERMISSIONS.filter((p) => p.group === group).map((p) => (
            <label key={p.name} className="ui-check">
              <input type="checkbox" checked={value.includes(p.name)} onChange={(e) => toggle(p.name, e.target.checked)} />
              <span>
                {p.label} <code className="muted small">{p.name}</code>
              </span>
            </label>
          ))}
        </div>
      ))}
    </fieldset>
  );
}
