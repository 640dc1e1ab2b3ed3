/**
 * What the connections service needs from the platform, as narrow interfaces so the service does
 * not depend on which KMS provider or resolver is configured.
 */
export interface SecretSealer {
  /** AES-GCM envelope bound to (workspace, connection): moved to another row it fails to open. */
  seal(workspaceId: string, connectionId: string, plaintext: string): Promise<string>;
  open(workspaceId: string, connectionId: string, envelope: string): Promise<string>;
  /** New data key for the workspace; older ones re-wrapped under the KMS key's current version. */
  rotate(workspaceId: string): Promise<KeyRotation>;
  /** The same plaintext under the newest data key (unchanged when already current). */
  reseal(workspaceId: string, connectionId: string, envelope: string): Promise<string>;
}

/** What a rotation did, for the audit log: versions only, never key material. */
export interface KeyRotation {
  previousVersion: number | undefined;
  version: number;
  provider: string;
  kmsKeyVersion: string;
  rewrapped: number;
}

export interface CheckedHost {
  /** The vetted address the driver must connect to. */
  address: string;
  /** The name as configured, for TLS SNI and certificate checks. */
  servername: string;
}

export interface HostGuard {
  /** Resolves once and checks every address; throws a 422 `host_not_allowed` when refused. */
  check(host: string, port: number): Promise<CheckedHost>;
}
