import { credentialsMatch, parseBasicAuth } from './basic-auth.js';

const basic = (userPass: string) => `Basic ${Buffer.from(userPass, 'utf8').toString('base64')}`;

describe('parseBasicAuth', () => {
  it('reads user and password, keeping colons in the password', () => {
    expect(parseBasicAuth(basic('ops:pa:ss'))).toEqual({ username: 'ops', password: 'pa:ss' });
    expect(parseBasicAuth(basic('ops:'))).toEqual({ username: 'ops', password: '' });
    expect(parseBasicAuth(`basic ${Buffer.from('ops:pw').toString('base64')}`)).toEqual({
      username: 'ops',
      password: 'pw',
    });
  });

  it('refuses what is not Basic credentials', () => {
    for (const header of [undefined, '', 'Bearer abc', 'Basic', 'Basic !!!', basic('no-colon')]) {
      expect(parseBasicAuth(header)).toBeUndefined();
    }
  });
});

describe('credentialsMatch', () => {
  const expected = { username: 'ops', password: 'correct horse' };

  it('needs both fields exactly', () => {
    expect(credentialsMatch({ username: 'ops', password: 'correct horse' }, expected)).toBe(true);
    expect(credentialsMatch({ username: 'ops', password: 'correct hors' }, expected)).toBe(false);
    expect(credentialsMatch({ username: 'ops', password: 'correct horse ' }, expected)).toBe(false);
    expect(credentialsMatch({ username: 'OPS', password: 'correct horse' }, expected)).toBe(false);
    expect(credentialsMatch({ username: '', password: '' }, expected)).toBe(false);
  });
});
