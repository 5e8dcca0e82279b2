// The browser globals the modules under test use: an in-memory localStorage and `window` timers.
class MemoryStorage {
  private data = new Map<string, string>();
  get length(): number {
    return this.data.size;
  }
  clear(): void {
    this.data.clear();
  }
  getItem(key: string): string | null {
    return this.data.get(key) ?? null;
  }
  key(index: number): string | null {
    return [...this.data.keys()][index] ?? null;
  }
  removeItem(key: string): void {
    this.data.delete(key);
  }
  setItem(key: string, value: string): void {
    this.data.set(key, String(value));
  }
}

const g = globalThis as Record<string, unknown>;
g.localStorage ??= new MemoryStorage();
g.window ??= globalThis;
g.location ??= new URL("http://localhost/app/");
