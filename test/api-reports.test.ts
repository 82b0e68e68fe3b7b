// The published types of every package are what its committed API report says (`packages/<name>/api/`): an
// export added, removed or changed by accident fails here. After a deliberate change: `npm run api:update`.
import { describe, expect, it } from 'vitest';
import { apiEntries, checkApi } from '../scripts/api-report.mjs';

interface ApiEntry {
  name: string;
  entry: string;
}

describe.each(apiEntries() as ApiEntry[])('$name ($entry)', (entry) => {
  it('builds the API its committed report shows', () => {
    const { matches, messages } = checkApi(entry) as { matches: boolean; messages: string[] };
    expect(messages).toEqual([]);
    expect(matches, 'the built API differs from api/*.api.md: review it, then `npm run api:update`').toBe(true);
  }, 60_000);
});
