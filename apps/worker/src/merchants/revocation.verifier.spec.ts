import type { TokenLookup } from '@app/merchants';
import { SquareApiError } from '@app/square-api';
import { RevocationVerifier, type TokenLookups, type TokenStatuses } from './revocation.verifier.js';

class FakeStore implements TokenLookups {
  constructor(private readonly found: TokenLookup) {}
  async lookup(): Promise<TokenLookup> {
    return this.found;
  }
}

class FakeSquare implements TokenStatuses {
  calls: string[] = [];
  constructor(private readonly answer: SquareApiError | null) {}
  async tokenStatus(token: string): Promise<{ merchantId: string | null }> {
    this.calls.push(token);
    if (this.answer) throw this.answer;
    return { merchantId: 'M1' };
  }
}

const refused = (code: string) =>
  new SquareApiError(`POST /oauth2/token/status → 401: ${code}`, { status: 401, retryable: false, code });
const active: TokenLookup = { state: 'active', accessToken: 'EAAA-token' };

describe('RevocationVerifier', () => {
  it('confirms when Square refuses the stored token (401), asking with that token', async () => {
    const square = new FakeSquare(refused('ACCESS_TOKEN_REVOKED'));
    expect(await new RevocationVerifier(new FakeStore(active), square).check('M1')).toEqual({ confirmed: true });
    expect(square.calls).toEqual(['EAAA-token']);
  });

  it('does not confirm while the token works, nor for an expired token, nor without a stored token or merchant', async () => {
    expect(await new RevocationVerifier(new FakeStore(active), new FakeSquare(null)).check('M1')).toEqual({
      confirmed: false,
      reason: "Square still accepts merchant M1's token",
    });
    expect(
      await new RevocationVerifier(new FakeStore(active), new FakeSquare(refused('ACCESS_TOKEN_EXPIRED'))).check('M1'),
    ).toMatchObject({ confirmed: false, reason: expect.stringContaining('expired') });
    expect(
      await new RevocationVerifier(new FakeStore({ state: 'absent' }), new FakeSquare(null)).check('M1'),
    ).toMatchObject({ confirmed: false });
    expect(await new RevocationVerifier(new FakeStore(active), new FakeSquare(null)).check(null)).toMatchObject({
      confirmed: false,
    });
  });

  it('confirms without a call when the store already holds that Square refused the token', async () => {
    const square = new FakeSquare(null);
    expect(
      await new RevocationVerifier(new FakeStore({ state: 'needs_reauth', reason: '401' }), square).check('M1'),
    ).toEqual({ confirmed: true });
    expect(square.calls).toEqual([]);
  });

  it('lets a transient failure of the check through, so the event is retried', async () => {
    const unavailable = new SquareApiError('POST /oauth2/token/status → 503', { status: 503, retryable: true });
    await expect(new RevocationVerifier(new FakeStore(active), new FakeSquare(unavailable)).check('M1')).rejects.toBe(
      unavailable,
    );
  });
});
