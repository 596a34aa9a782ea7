import { describe, expect, it } from 'vitest';
import { reportingPeriodOf } from '../src/index.ts';

describe('the period a plan, summary or statistic covers', () => {
  it.each([
    ['示范市人民政府办公室2024年度工作总结', '年度'],
    ['2026年工作要点', '年度'],
    ['全县教育事业统计年报', '年度'],
    ['2025学年教育事业综合统计报表', '年度'],
    ['数字政府建设“十五五”规划', '年度以上'],
    ['2021—2025年政务信息化规划', '年度以上'],
    ['2025年上半年工作总结', '半年'],
    ['下半年重点工作打算', '半年'],
    ['2025年第三季度统计表', '季度'],
    ['一季度经济运行分析', '季度'],
    ['2025年10月份工作安排', '月度'],
    ['2025年5月学生出勤统计表', '月度'],
    ['十一月份工作计划', '月度'],
    ['政务信息月报', '月度'],
    ['政务公开工作总结', '无'],
  ])('%s → %s', (title, period) => {
    expect(reportingPeriodOf(title)).toBe(period);
  });

  it('does not take a date in the title for a monthly report', () => {
    expect(reportingPeriodOf('关于机关食堂2025年10月15日暂停供餐的通知')).toBe('无');
  });
});
