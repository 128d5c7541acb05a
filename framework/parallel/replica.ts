import type { tf, Variable } from '../backend/tf.js';

/**
 * One copy of a model and its loss, as each data-parallel worker (and the coordinating thread) builds it
 * from a serialisable spec. All replicas built from the same spec must list the same variables in the
 * same order.
 */
export interface Replica<Shard> {
  /** Trainable variables, in a fixed order. */
  variables(): { name: string; variable: Variable }[];
  /** Mean loss over one shard of the batch; called inside `tf.variableGrads`. */
  loss(shard: Shard, seed: number): tf.Scalar;
  /** How many loss terms the shard's mean is over (masked tokens, examples); weights the gradient average. */
  weight(shard: Shard): number;
  dispose(): void;
}

/** A module that builds replicas: the path handed to {@link DataParallel} must export `createReplica`. */
export interface ReplicaModule<Spec, Shard> {
  createReplica(spec: Spec): Promise<Replica<Shard>>;
}
