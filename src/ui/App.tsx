export function App() {
  return <h1>Convas</h1>;
}
