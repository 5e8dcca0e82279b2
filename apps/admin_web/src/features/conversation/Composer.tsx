import { useEffect, useId, useRef, useState, type KeyboardEvent } from "react";
import { loadDraft, saveDraft, type Draft } from "../../drafts";
import { newId } from "../../lib/store";
import { enqueue } from "../../outbox";
import { realtime } from "../../realtime/connector";
import { useSlashPicker } from "../canned/useSlashPicker";
import { onInsert } from "../copilot/insert";
import { AttachButton, filesOf, onAttach, UploadTray, useUploads } from "./Attachments";
import { EmojiButton } from "./EmojiButton";
import { insertAt } from "../../lib/emoji";

interface Props {
  conversationId: string;
  meId: string;
  /** Whether this agent may reply to the visitor now (they own the conversation). */
  canReply: boolean;
  replyBlockedReason: string | null;
}

/** Enter sends, Shift+Enter breaks the line; drafts are kept per conversation. */
export function Composer({ conversationId, meId, canReply, replyBlockedReason }: Props) {
  const [draft, setDraft] = useState<Draft>(() => loadDraft(meId, conversationId));
  const area = useRef<HTMLTextAreaElement>(null);
  const typingTimer = useRef<number | undefined>(undefined);
  const typingOn = useRef(false);
  const inputId = useId();
  const hintId = useId();

  const uploads = useUploads(conversationId);
  useEffect(() => {
    setDraft(loadDraft(meId, conversationId));
    uploads.reset();
  }, [meId, conversationId]);

  const stopTyping = () => {
    window.clearTimeout(typingTimer.current);
    if (typingOn.current) {
      typingOn.current = false;
      realtime.hint("typing_stop", { conversation_id: conversationId });
    }
  };
  useEffect(() => stopTyping, [conversationId]);

  const update = (next: Draft) => {
    setDraft(next);
    saveDraft(meId, conversationId, next);
  };

  // an annotated image from the transcript becomes one of this reply's uploads
  const addFiles = uploads.add;
  useEffect(() => onAttach(conversationId, (file) => addFiles([file])), [conversationId, addFiles]);

  const internal = draft.internal;
  const blocked = !internal && !canReply;
  // Enter while this agent may not reply keeps the text and says why, never drops silently
  const [refused, setRefused] = useState<string | null>(null);
  useEffect(() => {
    if (!blocked) setRefused(null);
  }, [blocked]);

  // a copilot draft replaces the reply text, to edit before sending
  useEffect(
    () =>
      onInsert(conversationId, (text) => {
        const next = { text, internal: false };
        setDraft(next);
        saveDraft(meId, conversationId, next);
        area.current?.focus();
      }),
    [conversationId, meId],
  );

  const onInput = (text: string) => {
    setRefused(null);
    update({ ...draft, text });
    if (internal || !canReply) return;
    if (!typingOn.current && text) {
      typingOn.current = true;
      realtime.hint("typing_start", { conversation_id: conversationId });
    }
    window.clearTimeout(typingTimer.current);
    typingTimer.current = window.setTimeout(stopTyping, 2500);
  };

  const send = () => {
    const text = draft.text.trim();
    const files = uploads.ready;
    if (blocked && (text || files.length)) {
      setRefused(replyBlockedReason ?? "You cannot reply to this conversation now.");
      return;
    }
    if ((!text && !files.length) || blocked || uploads.uploading) return;
    enqueue({
      client_id: newId(),
      conversation_id: conversationId,
      text,
      internal,
      ...(files.length ? { attachments: files } : {}),
    });
    uploads.clearSent();
    stopTyping();
    update({ text: "", internal });
    area.current?.focus();
  };

  const picker = useSlashPicker(draft.text, conversationId, (text) => {
    onInput(text);
    area.current?.focus();
  });

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (picker.onKeyDown(e)) return;
    if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      send();
    }
  };

  return (
    <form
      className={`composer${internal ? " internal" : ""}`}
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
      onDragOver={(e) => {
        if (Array.from(e.dataTransfer.types).includes("Files")) e.preventDefault();
      }}
      onDrop={(e) => {
        const files = filesOf(e.dataTransfer);
        if (!files.length || blocked) return;
        e.preventDefault();
        uploads.add(files);
      }}
    >
      <div className="composer-bar">
        <label className="switch">
          <input
            type="checkbox"
            checked={internal}
            onChange={(e) => {
              if (!e.target.checked) stopTyping();
              update({ ...draft, internal: e.target.checked });
            }}
          />
          <span>Internal note</span>
        </label>
        <span id={hintId} className="composer-hint">
          {internal
            ? "Only agents see notes; the visitor never receives them."
            : blocked
              ? replyBlockedReason
              : "Enter to send · Shift+Enter for a new line · / for canned responses"}
        </span>
      </div>
      <label htmlFor={inputId} className="visually-hidden">
        {internal ? "Internal note" : "Reply to the visitor"}
      </label>
      {refused && (
        <p role="alert" className="error composer-refused">
          Not sent: {refused}
        </p>
      )}
      {picker.element}
      <UploadTray uploads={uploads} />
      <div className="composer-row">
        <AttachButton uploads={uploads} disabled={blocked} />
        <EmojiButton
          disabled={blocked}
          onPick={(emoji) => {
            const box = area.current;
            const at = insertAt(draft.text, emoji, box?.selectionStart ?? draft.text.length, box?.selectionEnd ?? draft.text.length);
            onInput(at.text);
            requestAnimationFrame(() => {
              box?.focus();
              box?.setSelectionRange(at.caret, at.caret);
            });
          }}
        />
        <textarea
          {...picker.inputProps}
          id={inputId}
          ref={area}
          rows={3}
          value={draft.text}
          aria-describedby={hintId}
          placeholder={internal ? "Write an internal note…" : blocked ? "Take over to reply…" : "Write a reply…"}
          onChange={(e) => onInput(e.target.value)}
          onKeyDown={onKeyDown}
          onBlur={stopTyping}
          onPaste={(e) => {
            const files = filesOf(e.clipboardData);
            if (!files.length || blocked) return;
            e.preventDefault();
            uploads.add(files);
          }}
        />
        <button
          type="submit"
          className="primary"
          disabled={(!draft.text.trim() && !uploads.ready.length) || blocked || uploads.uploading}
        >
          {internal ? "Add note" : "Send"}
        </button>
      </div>
    </form>
  );
}
