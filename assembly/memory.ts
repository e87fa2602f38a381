// Memory shared with the TypeScript side: plain heap blocks outside the garbage collector, so a
// pointer handed to JS stays valid (and unmoved) until freed. Imported by every module entry.

export function alloc(bytes: usize): usize {
  const p = heap.alloc(bytes);
  memory.fill(p, 0, bytes);
  return p;
}

export function free(ptr: usize): void {
  if (ptr != 0) heap.free(ptr);
}
