import { InFlightBudget } from './in-flight-budget.js';

describe('InFlightBudget', () => {
  it('takes bytes up to the limit and refuses beyond it', () => {
    const budget = new InFlightBudget(100);
    expect(budget.tryTake(60)).toBe(true);
    expect(budget.tryTake(40)).toBe(true);
    expect(budget.tryTake(1)).toBe(false);
    expect(budget.inUse).toBe(100);
  });

  it('gives bytes back, so later requests fit again', () => {
    const budget = new InFlightBudget(100);
    budget.tryTake(80);
    expect(budget.tryTake(30)).toBe(false);
    budget.give(80);
    expect(budget.tryTake(30)).toBe(true);
    expect(budget.inUse).toBe(30);
  });

  it('always lets one request through when nothing is held, whatever its size', () => {
    const budget = new InFlightBudget(10);
    expect(budget.tryTake(50)).toBe(true);
    expect(budget.tryTake(1)).toBe(false);
  });
});
