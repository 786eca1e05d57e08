//! Argentine cities that anchor the synthetic data: centre and approximate population
//! (thousands, urban agglomeration, 2022 census order of magnitude). Greater Buenos Aires
//! dominates, as it does in the country.

pub struct City {
    pub name: &'static str,
    pub lat: f64,
    pub lon: f64,
    pub population_k: f64,
}

const fn city(name: &'static str, lat: f64, lon: f64, population_k: f64) -> City {
    City {
        name,
        lat,
        lon,
        population_k,
    }
}

pub const CITIES: &[City] = &[
    city("Buenos Aires", -34.6037, -58.3816, 15_000.0),
    city("Córdoba", -31.4201, -64.1888, 1_550.0),
    city("Rosario", -32.9442, -60.6505, 1_350.0),
    city("Mendoza", -32.8895, -68.8458, 1_150.0),
    city("San Miguel de Tucumán", -26.8083, -65.2176, 950.0),
    city("La Plata", -34.9214, -57.9545, 900.0),
    city("Mar del Plata", -38.0055, -57.5426, 650.0),
    city("Salta", -24.7821, -65.4232, 620.0),
    city("Santa Fe", -31.6333, -60.7000, 530.0),
    city("San Juan", -31.5375, -68.5364, 500.0),
    city("Resistencia", -27.4606, -58.9839, 400.0),
    city("Santiago del Estero", -27.7951, -64.2615, 400.0),
    city("Corrientes", -27.4692, -58.8306, 400.0),
    city("Posadas", -27.3671, -55.8961, 360.0),
    city("Neuquén", -38.9516, -68.0591, 350.0),
    city("San Salvador de Jujuy", -24.1858, -65.2995, 330.0),
    city("Bahía Blanca", -38.7196, -62.2724, 300.0),
    city("Paraná", -31.7413, -60.5115, 270.0),
    city("Formosa", -26.1775, -58.1781, 250.0),
    city("San Luis", -33.2950, -66.3356, 200.0),
    city("La Rioja", -29.4131, -66.8558, 200.0),
    city("Catamarca", -28.4696, -65.7795, 200.0),
    city("Comodoro Rivadavia", -45.8641, -67.4966, 180.0),
    city("Río Cuarto", -33.1232, -64.3493, 170.0),
    city("Concordia", -31.3929, -58.0209, 170.0),
    city("San Carlos de Bariloche", -41.1335, -71.3103, 135.0),
    city("Santa Rosa", -36.6167, -64.2833, 125.0),
    city("Trelew", -43.2490, -65.3051, 100.0),
    city("Río Gallegos", -51.6230, -69.2168, 100.0),
    city("Ushuaia", -54.8019, -68.3030, 80.0),
];

impl City {
    /// The spread of points around the centre: a Gaussian whose sigma grows with the square
    /// root of the population (about 15 km for Buenos Aires, 3 km for Santa Fe).
    pub fn sigma_km(&self) -> f64 {
        0.12 * self.population_k.sqrt()
    }
}
