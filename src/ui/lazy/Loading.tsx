import { Component, lazy, Suspense, useState, type ComponentType, type ReactNode } from 'react';
import './loading.css';

/**
 * What stands in for a part of the editor whose code is still on its way: a small spinner and a line of text where
 * the part will appear, so nothing else on the screen moves when it arrives.
 */
export function Loading({ label, testid }: { label: string; testid: string }) {
  return (
    <div className="lazy-loading" role="status" aria-live="polite" data-testid={testid}>
      <span className="lazy-spinner" aria-hidden />
      {label}
    </div>
  );
}

class LoadFailure extends Component<{ what: string; onRetry(): void; children: ReactNode }, { error?: Error }> {
  override state: { error?: Error } = {};
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <div className="lazy-loading lazy-failed" role="alert" data-testid="loading-failed" title={this.state.error.message}>
        Could not load {this.props.what}: the download failed (offline, or the app was updated meanwhile). Your work is unaffected.
        <button className="btn" onClick={this.props.onRetry}>
          Try again
        </button>
      </div>
    );
  }
}

/**
 * A component whose code is fetched on first render (React.lazy), with the loading line meanwhile and, if the fetch
 * fails (offline, a deploy replaced the chunk), a message with a retry in its place instead of a blank editor.
 */
export function lazyPart<P extends object>(load: () => Promise<ComponentType<P>>, what: string, label: string, testid: string): ComponentType<P> {
  const make = () => lazy(() => load().then((c) => ({ default: c })));
  let Part = make();
  return function LazyPart(props: P) {
    const [attempt, setAttempt] = useState(0);
    return (
      <LoadFailure
        key={attempt}
        what={what}
        onRetry={() => {
          Part = make();
          setAttempt((a) => a + 1);
        }}
      >
        <Suspense fallback={<Loading label={label} testid={testid} />}>
          <Part {...props} />
        </Suspense>
      </LoadFailure>
    );
  };
}
