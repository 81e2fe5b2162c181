/** The `closed` promise servers expose, with the function that settles it. */

/** A promise that resolves once `markClosed` is called. */
export function closedSignal(): { readonly closed: Promise<void>; readonly markClosed: () => void } {
  let markClosed!: () => void;
  const closed = new Promise<void>((resolve) => {
    markClosed = resolve;
  });
  return { closed, markClosed };
}
