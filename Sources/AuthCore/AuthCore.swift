enum AuthCorePlaceholder {}
