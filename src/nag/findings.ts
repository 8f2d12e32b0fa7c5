// What a validation of the rule pack reports besides its violations.

/**
 * A finding an acknowledgement suppressed: still reported, as suppressed, by the check command's outputs.
 */
export interface SuppressedFinding {
  /** `S3Encryption-<Rule>`. */
  readonly ruleId: string;
  /** Construct path of the resource. */
  readonly constructPath: string;
  /** The finding's text. */
  readonly description: string;
  /** The acknowledgement's reason. */
  readonly reason: string;
  /** `error` or `warning`. */
  readonly severity: string;
}

/** A parameter judged at its default value (no `AllowedValues`, no value given). */
export interface ParameterAssumption {
  /** Construct path of the stack. */
  readonly stack: string;
  /** Logical ID of the parameter. */
  readonly parameter: string;
  /** The default it was judged at. */
  readonly value: string;
}


/**
 * A property the pack decided about a bucket or key: the class of requests it covers and the verdict, a proof that
 * every request of the class is denied or one concrete request that is not.
 */
export interface PropertyExplanation {
  /** Construct path of the bucket or key. */
  readonly constructPath: string;
  /** The property, e.g. `TLS only`. */
  readonly property: string;
  /** The requests the property is about. */
  readonly covers: string;
  /** `proof` (every request of the class is denied), `counterexample`, or `could not evaluate`. */
  readonly verdict: string;
  /** The counterexample request, or what could not be evaluated. */
  readonly detail?: string;
  /** Whether the verdict is the one the standard wants; undefined when it only says what the bucket is. */
  readonly compliant?: boolean;
  /** How many requests (one per cell of the class) the procedure decided. */
  readonly requestsDecided: number;
  /** The way of deploying the template the verdict holds for, when the template allows several. */
  readonly scenario?: string;
}
