import { SquareClient } from 'square';
import { EVENT_CATALOG } from '@app/square';
import { OBJECT_SAMPLES } from '@app/testing';
import { RETRIEVERS, wireObject, type Retriever } from './square-objects.js';

// RETRIEVERS against the two tables it serves: every object type EVENT_CATALOG retrieves has a
// retriever (and no retriever is dead), every retriever has a sample for the fake Square API, and
// every sample survives the SDK's parse and serialize unchanged, which is what the mirror stores.

const RETRIEVED_TYPES = [
  ...new Set(Object.values(EVENT_CATALOG).flatMap(({ route }) => (route.how === 'retrieve' ? [route.objectType] : []))),
].sort();
const ROWS: Array<[string, Retriever]> = Object.entries(RETRIEVERS);

// Square's SDK is lenient about what it does not know (fields, union members, enum values added
// after this SDK was generated): so is the pipeline, which keeps them.
const LENIENT = {
  unrecognizedObjectKeys: 'passthrough',
  allowUnrecognizedUnionMembers: true,
  allowUnrecognizedEnumValues: true,
} as const;

const sampleOf = (objectType: string): Record<string, unknown> => {
  const sample = OBJECT_SAMPLES[objectType];
  if (!sample) throw new Error(`no sample for ${objectType}`);
  return sample;
};

describe('RETRIEVERS', () => {
  it('has a retriever for every object type EVENT_CATALOG retrieves, and none that it does not', () => {
    expect(Object.keys(RETRIEVERS).sort()).toEqual(RETRIEVED_TYPES);
  });

  it('has a sample object for every retriever, and none for anything else', () => {
    expect(Object.keys(OBJECT_SAMPLES).sort()).toEqual(Object.keys(RETRIEVERS).sort());
  });

  it('samples carry a string id (the fake Square API files them under it)', () => {
    const withoutId = Object.entries(OBJECT_SAMPLES).filter(
      ([, sample]) => typeof sample.id !== 'string' || sample.id === '',
    );
    expect(withoutId.map(([objectType]) => objectType)).toEqual([]);
  });

  it.each(ROWS)('%s: a GET on /v2/…, with the id escaped', (_, retriever) => {
    const path = retriever.path('a/b c');
    expect(path).toMatch(/^\/v2\/[a-z/-]+a%2Fb%20c$/);
    expect(retriever.operation).toMatch(/^[a-z][A-Za-z]*(\.[a-z][A-Za-z]*)+$/);
  });

  it.each(ROWS)('%s: the sample round-trips through the SDK response unchanged', (objectType, retriever) => {
    const sample = sampleOf(objectType);
    const parsed = retriever.response.parseOrThrow({ [retriever.key]: sample }, LENIENT);
    const canonical = wireObject(retriever, parsed);
    expect(canonical?.object).toEqual(sample);
    expect(JSON.parse(canonical!.json)).toEqual(sample);
  });

  it.each(ROWS)(
    '%s: key is a field the SDK response declares (an unknown key would only pass through)',
    (objectType, retriever) => {
      const stripped = retriever.response.parseOrThrow(
        { [retriever.key]: sampleOf(objectType) },
        { ...LENIENT, unrecognizedObjectKeys: 'strip' },
      );
      expect(wireObject(retriever, stripped)).toBeDefined();
    },
  );

  it('samples use only the fields and enum values the SDK declares', () => {
    const problems = ROWS.flatMap(([objectType, retriever]) => {
      try {
        retriever.response.parseOrThrow({ [retriever.key]: sampleOf(objectType) }, {});
        return [];
      } catch (err) {
        return [`${objectType}: ${(err as Error).message}`];
      }
    });
    // SAMPLE_PAYMENTS and SAMPLE_REFUNDS (shared with the e2e suites) carry a `version` that the
    // SDK's Payment and PaymentRefund do not declare: it shows that unknown fields are kept.
    expect(problems).toEqual([
      expect.stringMatching(/^payment: .*version/),
      expect.stringMatching(/^refund: .*version/),
    ]);
  });

  it('says there is no object when the response has none', () => {
    expect(wireObject(RETRIEVERS.order, {})).toBeUndefined();
  });

  // The official SDK end to end, without a network: a fetch that records the request and answers
  // with the sample shows that get() calls the GET that path() names and that key is right.
  it.each(ROWS)(
    '%s: get() requests path(id) through the SDK, and its response yields the sample',
    async (objectType, retriever) => {
      const sample = sampleOf(objectType);
      const requested: string[] = [];
      const fakeFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
        const url = new URL(input instanceof Request ? input.url : String(input));
        requested.push(`${init?.method ?? 'GET'} ${url.pathname}`);
        return new Response(JSON.stringify({ [retriever.key]: sample }), {
          status: 200,
          headers: { 'content-type': 'application/json' },
        });
      };
      const client = new SquareClient({
        token: 'test-token',
        baseUrl: 'http://square.test',
        maxRetries: 0,
        fetch: fakeFetch,
      });
      const id = String(sample.id);

      const response = await retriever.get(client, id);

      expect(requested).toEqual([`GET ${retriever.path(id)}`]);
      expect(wireObject(retriever, response)?.object).toEqual(sample);
    },
  );
});
