import { CanActivate, ExecutionContext, Injectable, Logger, UnauthorizedException } from '@nestjs/common';
import type { Request } from 'express';
import { WebhookConfig } from '@app/config';
import { SIGNATURE_HEADERS, SignatureAlgorithm, isValidSquareSignature } from '@app/square';
import { markVerified } from './verified-request.js';

/**
 * Accepts a request only when its Square signature matches one of the configured keys, computed
 * over the configured notification URL (never one rebuilt from Host or X-Forwarded-* headers).
 */
@Injectable()
export class SquareSignatureGuard implements CanActivate {
  private readonly logger = new Logger(SquareSignatureGuard.name);

  constructor(private readonly config: WebhookConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    const body = req.body as Buffer;
    const sha256 = headerValue(req, SIGNATURE_HEADERS.sha256);
    const sha1 = headerValue(req, SIGNATURE_HEADERS.sha1);

    let algorithm: SignatureAlgorithm;
    let signature: string;
    if (sha256 !== undefined) {
      [algorithm, signature] = ['sha256', sha256];
    } else if (sha1 !== undefined && this.config.allowLegacySha1) {
      [algorithm, signature] = ['sha1', sha1];
    } else {
      return this.reject(req, sha1 !== undefined ? 'legacy x-square-signature received but SQUARE_WEBHOOK_ALLOW_LEGACY_SHA1 is off' : 'no signature header');
    }

    if (!isValidSquareSignature(algorithm, signature, this.config.signatureKeys, this.config.notificationUrl, body)) {
      return this.reject(req, `${algorithm} signature matches no configured key for the configured notification URL`);
    }
    markVerified(req, algorithm);
    return true;
  }

  private reject(req: Request, reason: string): never {
    // The reason and where it came from; never the body, the signature or a key.
    this.logger.warn('webhook rejected: invalid signature', { reason, remoteAddress: req.socket.remoteAddress, bytes: (req.body as Buffer).length });
    throw new UnauthorizedException('invalid Square signature');
  }
}

function headerValue(req: Request, name: string): string | undefined {
  const value = req.headers[name];
  return (Array.isArray(value) ? value[0] : value) || undefined;
}
