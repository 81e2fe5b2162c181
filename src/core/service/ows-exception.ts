/**
 * The OWS 1.1 `ExceptionReport` (MapProxy `wmts100exception.xml` / `ows_exception.xml`), used by
 * WMTS and the OWS dispatcher. Message and attributes pass through the `xml` tag.
 */
import { xml } from '../util/index.js';

/** The report for one exception; `locator` is left out when null. */
export function renderOwsExceptionReport(
  message: string,
  exceptionCode: string,
  locator: string | null,
): string {
  return xml`<?xml version="1.0"?>
<ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows/1.1"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.opengis.net/ows/1.1 http://schemas.opengis.net/ows/1.1.0/owsExceptionReport.xsd"
  version="1.0.0" xml:lang="en">
  <ows:Exception exceptionCode="${exceptionCode}"${locator === null ? '' : xml` locator="${locator}"`}>
    <ows:ExceptionText>${message}</ows:ExceptionText>
  </ows:Exception>
</ows:ExceptionReport>
`.markup;
}
