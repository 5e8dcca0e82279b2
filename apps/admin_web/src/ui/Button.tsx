import type { ButtonHTMLAttributes } from "react";

export type ButtonVariant = "primary" | "secondary" | "danger";

interface Props extends ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: ButtonVariant;
  small?: boolean;
  /** shows the label given here and disables the button while an action runs */
  busy?: boolean | string;
}

export function Button({ variant = "secondary", small, busy, className, disabled, children, type = "button", ...rest }: Props) {
  const classes = ["ui-btn", `ui-btn-${variant}`, small ? "ui-btn-small" : "", className ?? ""].filter(Boolean).join(" ");
  return (
    <button type={type} className={classes} disabled={disabled || !!busy} aria-busy={busy ? true : undefined} {...rest}>
      {typeof busy === "string" && busy ? busy : children}
    </button>
  );
}
