import { CalendlyZoomError } from '../errors';

/** The booking store could not be reached or answered nonsense. Transient: retry later. */
export class StoreError extends CalendlyZoomError {
  readonly kind = 'store';
}
