import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SCHEDULE_PATH, loadSchedule, parseSchedule, ScheduleError } from '../src/index.ts';

const defaultText = readFileSync(DEFAULT_SCHEDULE_PATH, 'utf8');

function problemsOf(text: string): string[] {
  try {
    parseSchedule(text, 'agency.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ScheduleError);
    return (error as ScheduleError).problems;
  }
  throw new Error('expected the schedule to be rejected');
}

/** The line (1-based) of the first occurrence of `needle` in the default schedule. */
const lineOf = (text: string, needle: string) => text.slice(0, text.indexOf(needle)).split('\n').length;

describe('loading the retention schedule', () => {
  it('accepts the shipped default', async () => {
    const schedule = await loadSchedule();
    expect(schedule.agency.fonds).toBe('A182');
    expect(schedule.rules.length).toBeGreaterThan(20);
  });

  it('names the line of a value that is not allowed', () => {
    const text = defaultText.replace('    retention: D10\n', '    retention: D15\n');
    const [problem] = problemsOf(text);
    expect(problem).toMatch(new RegExp(`^agency\\.yaml:${lineOf(text, 'retention: D15')}:\\d+ rules\\.\\d+ \\([A-Z0-9-]+\\)\\.retention: `));
  });

  it('names the line of an unknown key (a typo in a condition)', () => {
    const text = defaultText.replace('      titleMatches: ["信封"', '      titleMatchs: ["信封"');
    expect(problemsOf(text)[0]).toMatch(new RegExp(`^agency\\.yaml:${lineOf(text, 'titleMatchs')}:7 .*titleMatchs`));
  });

  it('rejects duplicate rule ids, FILE without retention, bad regular expressions, and a template without {item}', () => {
    const text = defaultText
      .replace('id: EX-TRIVIA', 'id: EX-DRAFT')
      .replace('    outcome: FILE\n    retention: D30\n    explain: 一般性合同', '    outcome: FILE\n    explain: 一般性合同')
      .replace('["放假", ', '["放假(", ')
      .replace('{org}-{item}', '{org}');
    const problems = problemsOf(text).join('\n');
    expect(problems).toMatch(/duplicate rule id "EX-DRAFT"/);
    expect(problems).toMatch(/rule D30-CONTRACT files documents but names no retention/);
    expect(problems).toMatch(new RegExp(`:${lineOf(text, '"放假("')}:\\d+ rules\\.\\d+ \\([A-Z0-9-]+\\)\\.when\\.titleMatches\\.0: invalid regular expression`));
    expect(problems).toMatch(/the template must contain \{item\}/);
  });

  it('reports YAML syntax errors with their line', () => {
    const problems = problemsOf('schema: oa-archive/retention-schedule@1\nversion: "1"\nversion: "2"\n');
    expect(problems[0]).toMatch(/^agency\.yaml:3:1 Map keys must be unique/);
  });

  it('refuses a rule without conditions', () => {
    const text = defaultText.replace(/ {4}when:\n {6}titleMatches: \["信封".*\n/, '    when: {}\n');
    expect(problemsOf(text).join('\n')).toMatch(/rule EX-TRIVIA has no conditions/);
  });
});
