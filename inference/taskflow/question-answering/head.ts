/**
 * The span head, shared by training (tfjs) and export (ONNX): one linear layer from each token's hidden state to its
 * start and end logits, stored [in, out] (MatMul's B) under `qa.*`:
 * - `qa.span.weight` [hidden, 2]: column 0 scores a token as the answer's first token, column 1 as its last;
 * - `qa.span.bias` [2].
 */

/** Names and shapes of the head's weights for an encoder of width `hidden`. */
export function spanHeadShapes(hidden: number): Map<string, number[]> {
  return new Map([
    ['qa.span.weight', [hidden, 2]],
    ['qa.span.bias', [2]],
  ]);
}

/** The prefix of the head's weight names (the rest of a run's weights are the encoder's). */
export const SPAN_HEAD_PREFIX = 'qa.';
