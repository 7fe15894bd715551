import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { ApiClient } from '../src/data/api.ts';
import { PlanApproval } from '../src/app/PlanApproval.tsx';
import type { TaskSummary } from '../src/data/types.ts';

const plan = {
  summary: 'one note',
  subtasks: [{ id: 'note', title: 'Write a note', description: '', files: ['notes.txt'], depends_on: [] }],
};

function render(approval: TaskSummary['approval']): string {
  const task: TaskSummary = { id: 't_1', name: 'held', status: 'awaiting_approval', created_at: '', approval };
  return renderToStaticMarkup(
    createElement(PlanApproval, { api: new ApiClient(), task, plan, onDecided: () => undefined }),
  );
}

describe('PlanApproval', () => {
  it('offers approve, reject and edit, and says nothing runs meanwhile', () => {
    const html = render({ state: 'awaiting', since: '', deadline: null, on_timeout: 'cancel', decided_by: null });
    expect(html).toContain('<h2 id="approval-title">The plan awaits approval</h2>');
    expect(html).toContain('<p class="muted">Nothing runs until it is decided.</p>');
    expect([...html.matchAll(/<button[^>]*>([^<]+)<\/button>/g)].map((match) => match[1])).toEqual([
      'Approve plan',
      'Reject plan',
      'Edit plan',
    ]);
  });

  it('says what the end of a wait with a deadline does', () => {
    const html = render({
      state: 'awaiting',
      since: '',
      deadline: '2026-01-01T00:00:00.000Z',
      on_timeout: 'approve',
      decided_by: null,
    });
    expect(html).toMatch(/At .+ it is approved by itself\./);
  });
});
