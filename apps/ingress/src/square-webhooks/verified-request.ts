import type { Request } from 'express';
import type { SignatureAlgorithm } from '@app/square';

// What the guard learned about a request, handed to the controller without widening
// Express' Request type for the whole program.
const verified = new WeakMap<Request, SignatureAlgorithm>();

export function markVerified(req: Request, algorithm: SignatureAlgorithm): void {
  verified.set(req, algorithm);
}

export function verifiedAlgorithm(req: Request): SignatureAlgorithm {
  const algorithm = verified.get(req);
  if (!algorithm) throw new Error('request reached the webhook handler without a verified signature');
  return algorithm;
}
