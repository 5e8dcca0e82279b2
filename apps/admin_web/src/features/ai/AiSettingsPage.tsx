import { useQuery } from "@tanstack/react-query";
import { useEffect, useState, type FormEvent } from "react";
import { aiSettings, type AISettings } from "../../api/admin";
import { keys } from "../../api/queries";
import { Button, Checkbox, ErrorText, Field, Page, useAction } from "../../ui";

export function AiSettingsPage() {
  const current = useQuery({ queryKey: keys.aiSettings, queryFn: aiSettings.get });
  return (
    <Page title="AI settings" description="How the AI talks: its instructions, how it looks at images visitors send, how much of the conversation it reads, and the first message visitors see.">
      <ErrorText error={current.error} prefix="Could not load the AI settings" />
      {current.data && <AiSettingsForm initial={current.data} />}
    </Page>
  );
}

function AiSettingsForm({ initial }: { initial: AISettings }) {
  const [prompt, setPrompt] = useState(initial.system_prompt);
  const [context, setContext] = useState(String(initial.context_messages));
  const [welcome, setWelcome] = useState(initial.welcome_message);
  const [imagePrompt, setImagePrompt] = useState(initial.image_analysis_prompt);
  const [redact, setRedact] = useState(initial.redact_pii_in_prompts);
  const [tried, setTried] = useState(false);
  useEffect(() => {
    setPrompt(initial.system_prompt);
    setContext(String(initial.context_messages));
    setWelcome(initial.welcome_message);
    setImagePrompt(initial.image_analysis_prompt);
    setRedact(initial.redact_pii_in_prompts);
  }, [initial]);
  const save = useAction(aiSettings.update, {
    invalidate: [keys.aiSettings, keys.workspace, keys.widget],
    done: "AI settings saved. New conversations use them at once.",
  });
  const n = Number(context);
  const errors = {
    context: context.trim() !== "" && Number.isInteger(n) && n >= 0 && n <= 100 ? null : "A whole number from 0 to 100.",
    welcome: welcome.trim() ? null : "Visitors need a first message; write one.",
    prompt: prompt.length <= 20000 ? null : "At most 20,000 characters.",
    imagePrompt: imagePrompt.length <= 20000 ? null : "At most 20,000 characters.",
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (Object.values(errors).some(Boolean)) return;
    save.mutate({ system_prompt: prompt, context_messages: n, welcome_message: welcome, image_analysis_prompt: imagePrompt, redact_pii_in_prompts: redact });
  };
  return (
    <form className="ui-form page-form" onSubmit={submit} noValidate>
      <Field label="System prompt" hint="Instructions for LLM providers. The built-in responder ignores it." error={tried ? errors.prompt : null}>
        {(p) => <textarea {...p} rows={8} value={prompt} onChange={(e) => setPrompt(e.target.value)} />}
      </Field>
      <Field
        label="Image-analysis prompt"
        hint="Added to the system prompt when the visitor has sent images, for providers that can see them (vision). Images are downscaled to 1568 px on the long side."
        error={tried ? errors.imagePrompt : null}
      >
        {(p) => <textarea {...p} rows={5} value={imagePrompt} onChange={(e) => setImagePrompt(e.target.value)} />}
      </Field>
      <Field label="Context window (messages)" hint="How many earlier messages the AI reads with each question (0-100)." error={tried ? errors.context : null}>
        {(p) => <input {...p} inputMode="numeric" value={context} onChange={(e) => setContext(e.target.value)} className="narrow" />}
      </Field>
      <Field label="Welcome message" hint={`The first message of every new widget session (also on the Widget page). Variables: {{visitor.name}}, {{visitor.email}}, filled for each visitor; a fallback after a bar: {{visitor.name | there}}.`} error={tried ? errors.welcome : null}>
        {(p) => <textarea {...p} rows={3} maxLength={2000} value={welcome} onChange={(e) => setWelcome(e.target.value)} />}
      </Field>
      <Checkbox
        label="Mask personal data sent to LLM providers"
        checked={redact}
        onChange={setRedact}
        hint="Email addresses, phone and card numbers, IBANs and social security numbers in the conversation reach the provider as [email], [phone]… Agents and the stored conversation keep the original. The AI then cannot use them (for example, to look up an account by email)."
      />
      <ErrorText error={save.error} />
      <div className="ui-form-actions">
        <Button type="submit" variant="primary" busy={save.isPending ? "Saving…" : false}>
          Save AI settings
        </Button>
      </div>
    </form>
  );
}
