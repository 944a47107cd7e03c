/** Injected time source: engine logic never calls Date.now() directly. */
export type Clock = () => Date;
export const systemClock: Clock = () => new Date();
