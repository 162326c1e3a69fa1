import { nullTranslator, TranslationBundle } from '@jupyterlab/translation';

/**
 * Format an ISO 8601 date in UTC as `July 18, 2022, 14:23`.
 *
 * Returns the input unchanged when it is not a date, so a bad value is
 * visible rather than hidden.
 */
export function formatUTCDate(
  iso: string,
  trans: TranslationBundle = nullTranslator.load('jupyterlab_s3_connectors')
): string {
  const date = new Date(iso);
  if (!iso || isNaN(date.getTime())) {
    return iso;
  }
  const month = Private.monthName(date.getUTCMonth(), trans);
  const hours = String(date.getUTCHours()).padStart(2, '0');
  const minutes = String(date.getUTCMinutes()).padStart(2, '0');
  return trans.__(
    '%1 %2, %3, %4:%5',
    month,
    date.getUTCDate(),
    date.getUTCFullYear(),
    hours,
    minutes
  );
}

namespace Private {
  export function monthName(index: number, trans: TranslationBundle): string {
    const names = [
      trans.__('January'),
      trans.__('February'),
      trans.__('March'),
      trans.__('April'),
      trans.__('May'),
      trans.__('June'),
      trans.__('July'),
      trans.__('August'),
      trans.__('September'),
      trans.__('October'),
      trans.__('November'),
      trans.__('December')
    ];
    return names[index];
  }
}
