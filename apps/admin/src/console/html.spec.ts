import { Html, eventHref, href, html } from './html.js';

describe('html', () => {
  it('escapes every interpolated value, and nothing built by html itself', () => {
    const name = '<script>alert("x")</script> & \'y\'';
    const inner = html`<b>${name}</b>`;
    expect(String(html`<p title="${name}">${inner}${[1, null, undefined, false, 'a<b']}</p>`)).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"><b>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;</b>1a&lt;b</p>',
    );
    expect(html`${new Date('2024-05-01T00:00:00Z')}`).toBeInstanceOf(Html);
    expect(String(html`${new Date('2024-05-01T00:00:00Z')}`)).toBe('2024-05-01T00:00:00.000Z');
  });

  it('builds links with encoded parameters and ids', () => {
    expect(href('/events', { type: 'payment.*', status: '', objectId: 'a&b' })).toBe(
      '/events?type=payment.*&objectId=a%26b',
    );
    expect(eventHref('v1:a/b?c')).toBe('/events/v1%3Aa%2Fb%3Fc');
  });
});
