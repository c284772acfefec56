// ipywidgets 8's controls typeset their labels through MathJax 2's API (MathJax.Hub.Queue) whenever a global
// MathJax exists; the site loads MathJax 3, which has no Hub. This maps that one call onto MathJax 3, so that the
// explorers' saved views render without errors. Loaded (deferred) after MathJax, before the widgets render.
(function () {
  var mathjax = window.MathJax;
  if (!mathjax || mathjax.Hub) {
    return;
  }
  mathjax.Hub = {
    Queue: function (command) {
      var element = Array.isArray(command) ? command[2] : undefined;
      if (!element || !mathjax.startup || !mathjax.startup.promise) {
        return;
      }
      mathjax.startup.promise = mathjax.startup.promise
        .then(function () { return mathjax.typesetPromise([element]); })
        .catch(function (error) { console.warn("MathJax could not typeset a widget label:", error); });
    },
  };
})();
