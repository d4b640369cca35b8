/** A thread as the protocol sees it: a message number, or null for a dummy parent. */
export interface ThreadTree {
  readonly uid: number | null;
  readonly children: readonly ThreadTree[];
}

/**
 * RFC 5256 §4 thread-list = "(" (thread-members / thread-nested) ")": a chain of only
 * children is written "1 2 3", branches as nested lists, a dummy parent as just its
 * children "((4)(8))". `number` maps a UID to what the client asked for (UID or sequence).
 */
export function formatThread(node: ThreadTree, number: (uid: number) => number): string {
  const parts: string[] = [];
  let n: ThreadTree = node;
  for (;;) {
    if (n.uid !== null) parts.push(String(number(n.uid)));
    if (n.children.length === 1 && n.uid !== null) {
      n = n.children[0] as ThreadTree;
      continue;
    }
    const nested = n.children.map((c) => formatThread(c, number)).join('');
    if (nested) parts.push(nested);
    break;
  }
  return `(${parts.join(' ')})`;
}

/** "* THREAD (...)(...)": the untagged THREAD response (RFC 5256 §4), with no threads just "* THREAD" */
export function threadResponse(threads: readonly ThreadTree[], number: (uid: number) => number): Buffer {
  const lists = threads.map((t) => formatThread(t, number)).join('');
  return Buffer.from(`* THREAD${lists ? ` ${lists}` : ''}\r\n`);
}
