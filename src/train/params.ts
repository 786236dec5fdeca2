/** Names of a layer's trained parameters (kept free of tfjs so the CLI starts without loading it). */
export const PARAM_KEYS = ['W', 'b', 'gamma', 'beta', 'mean', 'variance'] as const;
export type ParamKey = (typeof PARAM_KEYS)[number];
