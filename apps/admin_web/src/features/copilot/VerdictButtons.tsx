import { useState } from "react";
import { errorText } from "../../api/client";
import { realtime } from "../../realtime/connector";
import type { Message } from "../../types";

type Verdict = "good" | "bad" | "corrected";

/** Good / bad / corrected on one AI reply: the verdict lands in the accuracy log. */
export function VerdictButtons({ message }: { message: Message }) {
  const [verdict, setVerdict] = useState<Verdict | null>(null);
  const [correcting, setCorrecting] = useState(false);
  const [correction, setCorrection] = useState("");
  const [error, setError] = useState<string | null>(null);
  if (message.sender !== "bot" || typeof message.meta?.ai_log_id !== "string") return null;

  const send = async (value: Verdict, text?: string) => {
    setError(null);
    try {
      await realtime.request("ai_verdict", {
        conversation_id: message.conversation_id,
        message_id: message.id,
        verdict: value,
        ...(text ? { correction: text } : {}),
      });
      setVerdict(value);
      setCorrecting(false);
    } catch (exc) {
      setError(errorText(exc));
    }
  };

  return (
    <div className="msg-foot verdict" data-testid="verdict">
      {verdict ? (
        <span>Marked {verdict}. Thanks — it is in the AI answers log.</span>
      ) : (
        <>
          <span>Was this AI reply right?</span>
          <button type="button" className="link" onClick={() => void send("good")}>Good</button>
          <button type="button" className="link" onClick={() => void send("bad")}>Bad</button>
          <button type="button" className="link" onClick={() => setCorrecting(!correcting)}>Correct it</button>
        </>
      )}
      {correcting && !verdict && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (correction.trim()) void send("corrected", correction.trim());
          }}
        >
          <label>
            The right answer
            <textarea value={correction} maxLength={10000} onChange={(e) => setCorrection(e.target.value)} />
          </label>
          <button type="submit" disabled={!correction.trim()}>Save correction</button>
        </form>
      )}
      {error && <span role="alert" className="error">{error}</span>}
    </div>
  );
}
