/** Node flags of a training process (see training-process.mjs for why). */
export declare const TRAINING_NODE_FLAGS: readonly string[];
/** glibc malloc settings of a training process. */
export declare const MALLOC_TUNABLES: string;
/** `env` with the malloc settings added. */
export declare function trainingEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
