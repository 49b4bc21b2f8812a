/**
 * The simulated Zoom lives in src/sandbox (the sandbox ships it); tests keep their names for it.
 * One fake, not two: what the sandbox runs is what the end-to-end and chaos suites test against.
 */
export {
  startZoomSimulator as startFakeZoomServer,
  type HeldRequest,
  type SimulatedMeeting as FakeZoomMeeting,
  type SimulatedRequest as FakeZoomRequest,
  type ZoomCredentials as FakeZoomCredentials,
  type ZoomSimulator as FakeZoomServer,
  type ZoomSimulatorOptions as FakeZoomServerOptions,
} from '../../src/sandbox/zoom-simulator';
export {
  zoomFaults,
  type ZoomFault as FakeZoomFault,
  type ZoomRoute as FakeZoomRoute,
} from '../../src/sandbox/zoom-faults';
