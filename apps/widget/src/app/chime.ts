// A short two-note chime for a reply the visitor is not looking at (the panel closed or the
// tab in the background), as Intercom's and Chatwoot's messengers do. Made with WebAudio, so
// there is no sound file to fetch; browsers keep it silent until the visitor has interacted
// with the widget (their autoplay rule), which is when a reply can matter anyway.
let context: AudioContext | null = null;
let played = 0;

export function chime(): void {
  played += 1;
  document.documentElement.dataset.chimes = String(played); // what the browser tests read
  try {
    const Ctx = window.AudioContext || (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
    if (!Ctx) return;
    context = context || new Ctx();
    if (context.state === "suspended") void context.resume();
    const start = context.currentTime;
    for (const [i, frequency] of [880, 1320].entries()) {
      const tone = context.createOscillator();
      const gain = context.createGain();
      tone.type = "sine";
      tone.frequency.value = frequency;
      const at = start + i * 0.12;
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(0.12, at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.25);
      tone.connect(gain).connect(context.destination);
      tone.start(at);
      tone.stop(at + 0.26);
    }
  } catch {
    /* no audio here (a locked-down browser): the unread badge still tells */
  }
}
