enum CBORPlaceholder {}
