import { describe, expect, it } from "vitest";
import { Store } from "../../lib/store";
import { UnreadCounter } from "./counter";

function deferred(): { promise: Promise<number>; resolve: (n: number) => void } {
  let resolve: (n: number) => void = () => undefined;
  const promise = new Promise<number>((r) => (resolve = r));
  return { promise, resolve };
}

describe("the unread counter", () => {
  it("does not let an answer older than an event undo it", async () => {
    const first = deferred();
    const second = deferred();
    const queue = [first.promise, second.promise];
    let asked = 0;
    const counter = new UnreadCounter(new Store(0), () => {
      asked += 1;
      return queue.shift() ?? Promise.reject(new Error("asked too often"));
    });
    const refreshing = counter.refresh();
    counter.added("n1", false); // pushed while the count was being read
    counter.added("n2", false);
    first.resolve(0); // counted before n1 and n2 were stored
    await Promise.resolve();
    expect(counter.count.get()).toBe(2);
    second.resolve(2); // asked again: now it includes them
    await refreshing;
    expect(asked).toBe(2);
    expect(counter.count.get()).toBe(2);
  });

  it("takes a quiet answer, counts an updated notification once, and follows reads", async () => {
    const counter = new UnreadCounter(new Store(0), async () => 3);
    await counter.refresh();
    expect(counter.count.get()).toBe(3);
    counter.added("m1", false);
    counter.added("m1", false); // the visitor's next line updated the same one
    counter.added("m2", true);
    expect(counter.count.get()).toBe(4);
    counter.readTo(0);
    expect(counter.count.get()).toBe(0);
  });
});
