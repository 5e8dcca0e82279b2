// The UI kit: small, accessible primitives over the design tokens in tokens.css.
export { Badge, type Tone } from "./Badge";
export { Button, type ButtonVariant } from "./Button";
export { Dialog } from "./Dialog";
export { EmptyState } from "./EmptyState";
export { Checkbox, Field, type ControlProps } from "./Field";
export { Select, type Option } from "./Select";
export { Table, type Column } from "./Table";
export { toast, Toaster } from "./Toast";
export { ErrorText } from "./ErrorText";
export { Page, Section } from "./Page";
export { useAction } from "./useAction";
export { PermissionPicker } from "./PermissionPicker";
