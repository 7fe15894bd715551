import { describe, expect, it } from 'vitest';
import { CodecrewError } from '@codecrew/core';
import { busNames } from '@codecrew/bus';

describe('busNames', () => {
  it('derives every name from the prefix', () => {
    const n = busNames('crew');
    expect({
      jobsStream: n.jobsStream,
      resultsStream: n.resultsStream,
      eventsStream: n.eventsStream,
      artifactsBucket: n.artifactsBucket,
      workersBucket: n.workersBucket,
      jobs: n.jobs('coder'),
      consumer: n.jobsConsumer('coder'),
      result: n.result('task_1', 'job_2'),
      events: n.events('task_1'),
      allEvents: n.events('*'),
      event: n.event('task_1', 'task.started'),
      control: n.control('task_1'),
      allControl: n.control('*'),
    }).toEqual({
      jobsStream: 'CREW_JOBS',
      resultsStream: 'CREW_RESULTS',
      eventsStream: 'CREW_EVENTS',
      artifactsBucket: 'crew-artifacts',
      workersBucket: 'crew-workers',
      jobs: 'crew.jobs.coder',
      consumer: 'crew-coder',
      result: 'crew.results.task_1.job_2',
      events: 'crew.events.task_1.>',
      allEvents: 'crew.events.>',
      event: 'crew.events.task_1.task.started',
      control: 'crew.control.task_1',
      allControl: 'crew.control.*',
    });
  });

  it('rejects a prefix that is not one lowercase subject token', () => {
    for (const prefix of ['Crew', 'a.b', '1crew', '', 'a b', 'a>']) {
      const error = (() => {
        try {
          busNames(prefix);
          return null;
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(CodecrewError);
      expect((error as CodecrewError).code).toEqual('CONFIG_INVALID');
    }
  });
});
