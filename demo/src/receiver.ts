export function initReceiver(): void {}
