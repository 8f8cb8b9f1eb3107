// The ten class probabilities as horizontal bars, the likeliest marked.

export interface Bars {
  show(probabilities: ArrayLike<number>): number;
  clear(): void;
}

export function createBars(list: HTMLElement, predicted: HTMLElement): Bars {
  const rows = Array.from({ length: 10 }, (_, d) => {
    const row = document.createElement('li');
    row.dataset.class = String(d);
    row.innerHTML = `<span class="digit">${d}</span><span class="track"><span class="fill"></span></span><output>–</output>`;
    list.append(row);
    return { row, fill: row.querySelector<HTMLElement>('.fill')!, value: row.querySelector('output')! };
  });

  return {
    /** Draws the bars and returns the predicted class. */
    show(p) {
      let best = 0;
      for (let d = 1; d < 10; d++) if (p[d] > p[best]) best = d;
      rows.forEach(({ row, fill, value }, d) => {
        fill.style.width = `${(100 * p[d]).toFixed(1)}%`;
        value.textContent = `${(100 * p[d]).toFixed(1)} %`;
        row.classList.toggle('best', d === best);
      });
      predicted.textContent = String(best);
      predicted.dataset.class = String(best);
      return best;
    },
    clear() {
      rows.forEach(({ row, fill, value }) => {
        fill.style.width = '0';
        value.textContent = '–';
        row.classList.remove('best');
      });
      predicted.textContent = '?';
      delete predicted.dataset.class;
    },
  };
}
