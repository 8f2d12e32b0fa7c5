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

