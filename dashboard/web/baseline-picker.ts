import type { BaselineOverlay } from './baseline-overlay.js';
import { setText } from './dom.js';
import { refreshRunPicker, runName } from './run-picker.js';
import { loadRunSamples } from './run-samples.js';

/** Most ticks loaded for a baseline, as for a replay. */
const MAX_TICKS = 40_000;

/**
 * The "baseline" `<select>`: lists the stored runs (first option: none), loads the picked one and hands
 * it to the overlay. A failed load is one line in `note` and removes the baseline lines, nothing else; a pick
 * made while an earlier one is still loading wins over it.
 */
export function wireBaselinePicker(select: HTMLSelectElement, note: HTMLElement, overlay: BaselineOverlay, onError: (err: unknown) => void): void {
  let picks = 0;
  const fail = (err: unknown) => {
    setText(note, `baseline not loaded: ${err instanceof Error ? err.message : String(err)}`);
    onError(err);
  };
  select.addEventListener('focus', () => void refreshRunPicker(select).catch(fail));
  select.addEventListener('change', () => {
    const pick = ++picks;
    const id = select.value;
    if (id === '') {
      overlay.clear();
      setText(note, '');
      return;
    }
    setText(note, 'loading baseline…');
    loadRunSamples(id, MAX_TICKS).then(({ run, snapshots }) => {
      if (pick !== picks) return;
      overlay.set(snapshots, runName(run));
      setText(note, snapshots.length === 0 ? 'baseline has no ticks' : '');
    }, (err: unknown) => {
      if (pick !== picks) return;
      overlay.clear(); // the picker names a run the charts do not show: show none rather than the one before
      fail(err);
    });
  });
  void refreshRunPicker(select).catch(fail);
}
