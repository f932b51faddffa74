from tests.screening.conftest import frozen_after_screening, screening_a  # noqa: F401
