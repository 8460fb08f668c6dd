/** Which targets a watched build left outdated downstream of what it wrote. */
import { describe, expect, it } from 'vitest';
import { FakeProject } from '../../test/helpers/fake-project.js';
import { describeOutdatedDownstream, outdatedDownstream } from './downstream.js';

describe('outdatedDownstream', () => {
  //   raw ──▶ mid ──▶ top      side
  const graph = new FakeProject().addTarget('raw').addTarget('mid', { deps: ['raw'] }).addTarget('top', { deps: ['mid'] }).addTarget('side').graph();

  it('names every target downstream of a written one that the build did not take part in, in dependency order', () => {
    expect(outdatedDownstream(graph, [{ target: 'raw', status: 'done', batchesDone: 2 }])).toEqual(['mid', 'top']);
    expect(outdatedDownstream(graph, [{ target: 'raw', status: 'done', batchesDone: 2 }, { target: 'mid', status: 'done', batchesDone: 1 }])).toEqual(['top']);
  });

  it('says nothing when nothing was written', () => {
    expect(outdatedDownstream(graph, [{ target: 'raw', status: 'failed', batchesDone: 0 }])).toEqual([]);
    expect(outdatedDownstream(graph, [])).toEqual([]);
    expect(describeOutdatedDownstream([])).toBeUndefined();
  });
});
