// localStorage under one prefix, falling back to memory where storage is blocked (some
// privacy modes throw on access). Inside the iframe this is the api origin's storage,
// partitioned by the host site in modern browsers: each site has its own visitor session.
const PREFIX = "baton:";
const memory = new Map<string, string>();

function raw(): Storage | null {
  try {
    const s = window.localStorage;
    s.getItem(PREFIX); // throws where blocked
    return s;
  } catch {
    return null;
  }
}

export const storage = {
  get<T>(key: string, fallback: T): T {
    try {
      const s = raw();
      const value = s ? s.getItem(PREFIX + key) : (memory.get(key) ?? null);
      return value === null ? fallback : (JSON.parse(value) as T);
    } catch {
      return fallback;
    }
  },
  set(key: string, value: unknown): void {
    const text = JSON.stringify(value);
    try {
      const s = raw();
      if (s) s.setItem(PREFIX + key, text);
      else memory.set(key, text);
    } catch {
      memory.set(key, text);
    }
  },
  remove(key: string): void {
    try {
      const s = raw();
      if (s) s.removeItem(PREFIX + key);
    } catch {
      /* nothing to remove */
    }
    memory.delete(key);
  },
};
